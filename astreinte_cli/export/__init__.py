"""What programs, calendars and browsers read: JSON documents, iCalendar feeds, CSV, report
formats and the published site."""
