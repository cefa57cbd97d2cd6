"""``python -m experiments.claims``: see :func:`experiments.claims.cli.main`."""

from experiments.claims.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
