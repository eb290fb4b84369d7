import strawberry


@strawberry.type(description="Where a page stands in its list, and the cursors to page on from it.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether the list goes on after this page (page forward from endCursor)."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether the list holds items before this page (page back from startCursor)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item; null for an empty page."
    )
