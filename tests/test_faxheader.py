"""Fax header lines in the spellings real machines use."""
import pytest

from extractors.faxheader import month, parse


@pytest.mark.parametrize("line, when, page, of", [
    ("MAY-16-2022 09:14  SUNNY DAYS CC  502 555 0199  TO 5025732007  P.001/003",
     "2022-05-16T09:14:00-04:00", 1, 3),
    ("05/16/2022 09:14 FAX 5025550199 SUNNY DAYS CC PAGE 01/03", "2022-05-16T09:14:00-04:00", 1, 3),
    ("16 May 2022 9:14AM From:+1 502-555-0199 To:5025732007 p.1/3",
     "2022-05-16T09:14:00-04:00", 1, 3),
    ("Mon May 16 09:14:33 2022  5025550199  Pg 2", "2022-05-16T09:14:00-04:00", 2, None),
    ("Jan 05 2024 04:07PM  LITTLE STARS  (606) 555-0101  Page 2 of 4",
     "2024-01-05T16:07:00-05:00", 2, 4),
    ("2025-03-09 13:02 FROM 2705550155 P 3/3", "2025-03-09T13:02:00-04:00", 3, 3),
    ("12/1/24 8:05 AM HP LASERJET FAX 859 555 0100 p.1", "2024-12-01T08:05:00-05:00", 1, None),
])
def test_common_formats(line, when, page, of):
    header = parse(line)
    assert header.sent_at.isoformat() == when
    assert (header.page, header.of) == (page, of)


def test_noise_without_a_date_is_no_header():
    assert parse("") is None and parse("~ ._ ,, ' ") is None


def test_a_page_counter_alone_is_kept_without_a_time():
    header = parse("JOHNSON FAMILY  P.002/004")
    assert header.sent_at is None and (header.page, header.of) == (2, 4)


def test_a_month_misread_by_one_look_alike_letter_is_still_that_month():
    assert (month("OCL"), month("DCC"), month("0CT"), month("JUI")) == (10, 12, 10, 7)
    assert month("KID") is None and month("JUX") is None       # no month, or JUN or JUL
    assert parse("Ocl 04 2026 10:03AM SUNNY DAYS CIIILD CAR Page 1 ol 6").sent_at.isoformat() \
        == "2026-10-04T10:03:00-04:00"
    assert parse("DCC-05-2025 07:25 KENTUCKY KIDS 606 555 0124 P.001/003").sent_at.isoformat() \
        == "2025-12-05T07:25:00-05:00"
