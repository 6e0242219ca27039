"""Dutch phone numbers for a call back, checked with the maintained `phonenumbers` library."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType


class InvalidPhone(ValueError):
    """Not a Dutch phone number that a service can call."""


class PaidOrFreeNumber(InvalidPhone):
    """A 0900 (paid) or 0800 (free) number: a service cannot call a resident back on it."""


# 085/091 numbers (VoIP, 10 digits) are how many residents are reached at home: callable too.
CALLABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
            PhoneNumberType.VOIP}
PAID_OR_FREE = {PhoneNumberType.PREMIUM_RATE, PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST}


def dutch_phone(text: str) -> str:
    """The number in E.164 form (+31...), or InvalidPhone. Accepts '06-12345678', '+31 6 ...', '0031...'."""
    try:
        number = phonenumbers.parse(text.strip(), "NL")
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone("not a phone number") from error
    if number.country_code != 31 or not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid Dutch number")
    if phonenumbers.number_type(number) in PAID_OR_FREE:
        raise PaidOrFreeNumber("a paid or free service number")
    if phonenumbers.number_type(number) not in CALLABLE:
        raise InvalidPhone("not a mobile or landline number")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def spoken_phone(e164: str) -> str:
    """A stored number as a Dutch worker dials it: '+31612345678' -> '06 12345678'."""
    return phonenumbers.format_number(phonenumbers.parse(e164, "NL"), PhoneNumberFormat.NATIONAL)
