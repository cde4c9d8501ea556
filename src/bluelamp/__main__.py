"""`python -m bluelamp` is the same program as the `bluelamp` console script."""

from bluelamp.cli import main

if __name__ == "__main__":
    main()
