"""告警联动: the alarm linkage in the window (:class:`AlarmFeature`)."""
