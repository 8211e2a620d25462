# The division's first six weeks: sessions from the training log, the
# ward manager's rota, and a cycle on 10 April.
"$UPTAKE" import trainings trainings.csv >/dev/null &&
"$UPTAKE" record event --kind deliverable --date 2026-03-02 --unit cardio \
	--attr owner=mona --attr due=2026-04-15 \
	--note "Rota with time for training" >/dev/null &&
"$UPTAKE" cycle --as-of 2026-04-10 >/dev/null
