# Django's Arabic formats name no date with a time, so Django's English default ("N j, Y, P") showed
# "ديسمبر 26, 2026, 7 م". Day, month, year, then the 24-hour time, as the Arabic CLDR patterns order them.
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATETIME_FORMAT = "j F، H:i"
