from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    # Large enough for a whole year's plan in one call, small enough to stay fast.
    max_page_size = 500
