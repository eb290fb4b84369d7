"""The contract's scalars: Strawberry's own DateTime and JSON, with the contract's words."""

import dataclasses
from datetime import datetime

from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

_JSON = DEFAULT_SCALAR_REGISTRY[JSON]
assert isinstance(_JSON, ScalarDefinition)

SCALARS: dict[object, ScalarDefinition] = {
    datetime: dataclasses.replace(
        DateTimeDefinition,
        description="An ISO 8601 date-time with a UTC offset, e.g. 2026-04-03T09:15:00+00:00.",
    ),
    JSON: dataclasses.replace(_JSON, description="Any JSON value."),
}
