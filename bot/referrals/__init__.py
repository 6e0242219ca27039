"""Warm handover with consent: a service calls the resident back (issue 15, docs/referrals.md).

- models: the `referrals` table (phone number sealed, summary scrubbed, consent recorded);
- phone: Dutch phone numbers, checked with the `phonenumbers` library;
- deadline: the call-back deadline in Dutch working days;
- lifecycle: offer, accept, withdraw, record a partner's result, expire, erase;
- webhook: the signed JSON delivery to a partner's own system, with retries and a receipt;
- receiver: what a partner runs to check our signature and take each referral once;
- partners: which teams get webhooks (a secrets file, VOORDEUR_REFERRAL_PARTNERS).
"""
