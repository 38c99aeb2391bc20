from django.urls import path

from imp import views

app_name = "imp"

urlpatterns = [
    path("etablissements/<str:uai>/<str:year>/imp/", views.school_imp, name="school"),
    path("etablissements/<str:uai>/<str:year>/imp/echeancier/", views.schedule_page, name="schedule"),
    path("etablissements/<str:uai>/<str:year>/imp/echeancier.csv", views.schedule_csv, name="schedule_csv"),
    path("etablissements/<str:uai>/<str:year>/imp/<int:pk>/", views.award_page, name="award"),
    path("mes-imp/", views.my_awards, name="mine"),
    path("mes-imp/echeancier.csv", views.my_schedule_csv, name="mine_csv"),
    path("rectorat/imp/", views.queue_page, name="queue"),
    path("rectorat/enveloppes/", views.envelopes_page, name="envelopes"),
    path("rectorat/imp/paie.csv", views.payroll_csv, name="payroll_csv"),
    path("rectorat/imp/paie.xlsx", views.payroll_xlsx, name="payroll_xlsx"),
]
