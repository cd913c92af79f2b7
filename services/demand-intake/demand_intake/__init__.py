"""demand-intake: residents' demands from every channel, their lifecycle, deadlines, escalation up the axis, and the three rates."""
