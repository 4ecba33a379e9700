from django import forms

from accounts.models import TIME_ZONE_CHOICES
from accounts.widgets import LightSelect


def test_light_select_renders_the_same_select_as_django():
    choices = [("UTC", "UTC"), ("Europe/Paris", "Europe/Paris"), ("America/New_York", "America/New York")]
    attrs = {"id": "id_timezone", "required": True, "aria-describedby": "help"}
    ours = LightSelect(choices=choices).render("timezone", "Europe/Paris", attrs)
    django = forms.Select(choices=choices).render("timezone", "Europe/Paris", attrs)
    assert ours.replace("\n", "").replace("  ", "") == django.replace("\n", "").replace("  ", "")
    assert '<option value="Europe/Paris" selected>Europe/Paris</option>' in ours


def test_light_select_escapes_and_lists_every_time_zone():
    html = LightSelect(choices=[*TIME_ZONE_CHOICES, ("<x>", "<b>")]).render("tz", None)
    assert html.count("<option") == len(TIME_ZONE_CHOICES) + 1
    assert "&lt;b&gt;" in html and "<b>" not in html and " selected" not in html
