-- Services may show the Gregorian date beside their own calendar.
ALTER TABLE services ADD COLUMN show_gregorian INTEGER NOT NULL DEFAULT 0;
