"""`python -m sim` is the same as the `drugmarket` command."""

from sim.cli import main

raise SystemExit(main())
