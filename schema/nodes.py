"""The Node interface: every object a client may fetch again by its id alone."""

import strawberry


@strawberry.interface(
    description=(
        "An object a client can fetch again by its id alone, with Query.node or Query.nodes "
        "(what Relay and Apollo refetch helpers call). Ids are the platform's UUIDs, unique "
        "across every kind of object."
    )
)
class Node:
    id: strawberry.ID = strawberry.field(description="The object's id: the platform's UUID.")
