"""Stage 5: the apparatus — variation units built from an alignment of witness states."""

from collatio.apparatus.build import (
    CollationOptions,
    choose_base,
    collate_tokens,
    collate_witnesses,
    collated_witnesses,
    guide_order,
)
from collatio.apparatus.model import (
    Apparatus,
    CollatedWitness,
    Fate,
    Place,
    Reading,
    RevisionFate,
    UnitType,
    VariationUnit,
)
from collatio.apparatus.revisions import revision_fates, revision_report

__all__ = [
    "Apparatus",
    "CollatedWitness",
    "CollationOptions",
    "Fate",
    "Place",
    "Reading",
    "RevisionFate",
    "UnitType",
    "VariationUnit",
    "choose_base",
    "collate_tokens",
    "collate_witnesses",
    "collated_witnesses",
    "guide_order",
    "revision_fates",
    "revision_report",
]
