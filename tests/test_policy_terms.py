import datetime as dt

from schemas.policy import Policy


def test_terms_follow_the_configured_start_in_steps_of_the_term_length():
    policy = Policy(term_start=dt.date(2020, 10, 1), term_years=5)
    assert policy.term_of(dt.date(2024, 12, 31)) == (dt.date(2020, 10, 1), dt.date(2025, 10, 1))
    assert policy.term_of(dt.date(2025, 10, 1)) == (dt.date(2025, 10, 1), dt.date(2030, 10, 1))
    assert policy.term_of(dt.date(2020, 9, 30)) == (dt.date(2015, 10, 1), dt.date(2020, 10, 1))
    terms = policy.terms(2014, 2026)
    assert terms[0] == (dt.date(2010, 10, 1), dt.date(2015, 10, 1))
    assert terms[-1] == (dt.date(2025, 10, 1), dt.date(2030, 10, 1))
