check {
  id = "fine",
  title = "A fine check",
  rationale = "It is fine.",
  source = "This test",
  remediation = "None needed.",
  owner = "quality_lead",
  check = function(ctx) return pass("fine") end,
}
