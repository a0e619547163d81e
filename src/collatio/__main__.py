"""``python -m collatio``.

Guarded: a worker process started by *spawn* (the survey's local processes) imports the
parent's main module again, and must not run the command line a second time.
"""

from collatio.cli import run

if __name__ == "__main__":
    run()
