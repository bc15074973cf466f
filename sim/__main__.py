"""`python -m sim` is the same as the `drugmarket` command."""

from sim.cli import main

if __name__ == "__main__":  # worker processes import this module too; only the command runs main
    raise SystemExit(main())
