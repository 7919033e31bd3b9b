"""`python -m smm` and the `smm` command. The reader of posts (prefetch.py) is started before
smm's modules are imported, so that it reads while they are."""
import sys

from . import prefetch


def main() -> None:
    prefetch.start(sys.argv[1:])
    from .cli import run
    run()


if __name__ == "__main__":
    main()
