"""Shopify's count convention: a count that stops at a limit, so it costs the same at any size."""

from enum import Enum

import strawberry


@strawberry.enum(description="Whether a Count is exact.")
class CountPrecision(Enum):
    EXACT = strawberry.enum_value("EXACT", description="The count is exact.")
    AT_LEAST = strawberry.enum_value(
        "AT_LEAST", description="There are more than `count`; counting stopped at the limit."
    )


@strawberry.type(description="A count that reads at most a limit of rows (Shopify's convention).")
class Count:
    count: int = strawberry.field(
        description="The number counted: exact, or the limit when there are more."
    )
    precision: CountPrecision = strawberry.field(
        description="EXACT, or AT_LEAST when counting stopped at the limit."
    )

    @classmethod
    def of(cls, found: int, limit: int) -> "Count":
        """`found` is what a read of at most `limit` + 1 rows saw."""
        if found > limit:
            return cls(count=limit, precision=CountPrecision.AT_LEAST)
        return cls(count=found, precision=CountPrecision.EXACT)
