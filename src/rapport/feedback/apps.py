from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "rapport.feedback"
    label = "feedback"
    verbose_name = "Feedback and scores"
