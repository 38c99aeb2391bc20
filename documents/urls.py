"""The printed documents' pages (URL namespace "documents")."""

from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("etablissements/<str:uai>/<str:year>/fiche-ca.pdf", views.ca_sheet_pdf, name="ca_sheet_pdf"),
    path("etablissements/<str:uai>/<str:year>/fiche-ca/", views.ca_sheet_preview, name="ca_sheet_preview"),
    path("etablissements/<str:uai>/<str:year>/lettres/<int:person_id>.pdf", views.letter_pdf, name="letter_pdf"),
    path("etablissements/<str:uai>/<str:year>/lettres/<int:person_id>/", views.letter_preview, name="letter_preview"),
    path("impressions/", views.print_batches, name="print_batches"),
    path("impressions/<int:pk>/", views.print_batch, name="print_batch"),
    path("impressions/<int:pk>/etat.json", views.print_batch_state, name="print_batch_state"),
    path("impressions/<int:pk>.zip", views.print_batch_zip, name="print_batch_zip"),
]
