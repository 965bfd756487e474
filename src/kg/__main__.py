"""`python -m kg` runs the CLI."""

from kg.cli import main

if __name__ == "__main__":  # `kg serve`'s worker processes import this module again (spawn)
    main()
