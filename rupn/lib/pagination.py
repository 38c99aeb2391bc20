"""What every paginated list shares with templates/includes/pagination.html."""

from django.utils.translation import gettext as _


def query_without_page(request) -> str:
    """The list's filters as a query string, for the pagination links to carry (without the page number)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def paged_title(title: str, page) -> str:
    """The page's <title>, with "page N sur M" when the list has more than one page (RGAA: each page its title)."""
    if page.paginator.num_pages <= 1:
        return title
    return _("%(title)s – page %(number)d sur %(total)d") % {
        "title": title,
        "number": page.number,
        "total": page.paginator.num_pages,
    }
