"""综合态势: the overview dashboard (KPI tiles and Qt Charts) bound to its :class:`DashboardController`."""
