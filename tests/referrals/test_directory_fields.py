"""The directory's referral fields: read from services.yml, and a wrong value named at load."""

from __future__ import annotations

import pytest

from bot.directory.load import DirectoryError, parse_directory
from bot.yamlfile import read_yaml
from tests.referrals.conftest import DIRECTORY


def services_with(**fields) -> dict:
    raw = read_yaml(DIRECTORY)
    raw["services"][0].update(fields)
    return raw


def test_a_service_names_its_referral_team_and_callback_days(directory):
    service = directory.service("schuldhulp")
    assert service.referral_team == "schuldhulp-terugbel" and service.callback_days == 2
    assert directory.service("budgetcoach").referral_team == ""  # no call back offered


@pytest.mark.parametrize("value", [0, 21, "twee", True])
def test_a_wrong_callback_days_is_named_at_load(value):
    with pytest.raises(DirectoryError) as error:
        parse_directory(services_with(callback_days=value), DIRECTORY)
    assert "callback_days" in str(error.value)
