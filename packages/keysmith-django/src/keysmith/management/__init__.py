"""Management commands of the keysmith app."""
