"""The guarantee network (保障体系): activity funds, venues and bookings, responsibility assessment."""
