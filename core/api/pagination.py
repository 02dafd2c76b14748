from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``page`` and ``page_size`` (at most 500), as interfaces.md promises."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CountedRows:
    """What a paginator needs (``count()`` and slicing) from two querysets: the count from
    the plain filtered queryset (no joins), the page's rows from ``values(*fields)``."""

    ordered = True

    def __init__(self, queryset, fields: tuple[str, ...]) -> None:
        self.queryset = queryset
        self.rows = queryset.values(*fields)

    def count(self) -> int:
        return self.queryset.order_by().count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return self.rows[index]
