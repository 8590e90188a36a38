# The site's English formats (the other languages use Django's own): "Friday 19 March 2027", "8:00 a.m.".
DATE_FORMAT = "l j F Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = "D j M Y, H:i"
SHORT_DATETIME_FORMAT = "D j M, H:i"
