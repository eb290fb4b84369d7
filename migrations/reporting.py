"""What a migration tells the operator: `server.py migrate` collects the lines and prints
them once it is done; run by the Alembic CLI, a migration prints each at once."""

from alembic import op


def report(line: str) -> None:
    lines = op.get_context().config.attributes.get("report")
    if lines is None:
        print(line)
    else:
        lines.append(line)
