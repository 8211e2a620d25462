-- heart.lua: Southvale's gates, each one call of a helper.

gate {
  id = "cardiologist-in-every-clinic",
  at = "evaluate->prepare",
  title = "A bought-in cardiologist in every clinic; executive support does not count",
  check = function(ctx)
    return require_people(ctx, { role = "cardiologist", level = "bought_in", each = "child",
                                 not_counting = { "executive", "quality_lead" } })
  end,
}

gate {
  id = "consulted-before-contract",
  at = "evaluate->prepare",
  title = "Every clinic's cardiologists consulted before the contract",
  check = function(ctx)
    return require_event(ctx, { kind = "consultation", attended_by = "cardiologist",
                                each = "child", before = { event = "contract" } })
  end,
}

gate {
  id = "nurses-trained",
  at = "prepare->live",
  title = "Most nurses trained in the 90 days before go-live",
  check = function(ctx)
    return require_trained(ctx, { role = "nurse", share = 0.6, days = 90, before = "go_live" })
  end,
}

gate {
  id = "rehearsal-before-live",
  at = "prepare->live",
  must = false,
  title = "A go-live rehearsal before the clinic goes live",
  check = function(ctx)
    return require_event(ctx, { kind = "meeting", attrs = { topic = "rehearsal" },
                                before = { stage = "live" } })
  end,
}

gate {
  id = "monitoring-share-held",
  at = "live->sustain",
  title = "At least 30% of patients monitored remotely, three months running",
  check = function(ctx)
    return require_ratio(ctx, { numerator = "remote_checks", denominator = "patients",
                                at_least = 0.3, periods = 3 })
  end,
}

gate {
  id = "monitoring-on-track",
  at = "live->sustain",
  title = "Remote monitoring on track for its goal",
  check = function(ctx)
    return require_status(ctx, { metric = "monitored_share", at_least = "on_track" })
  end,
}

gate {
  id = "champion-by-go-live",
  at = "live->sustain",
  must = false,
  title = "A bought-in cardiologist by the clinic's go-live",
  check = function(ctx)
    return require_people(ctx, { role = "cardiologist", level = "bought_in", by = "go_live",
                                 not_counting = "executive" })
  end,
}
