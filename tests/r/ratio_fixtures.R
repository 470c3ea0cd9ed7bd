# Reference values from R `survey` for ratio estimation (svyratio).
#
# Run from the repository root:
#     Rscript tests/r/ratio_fixtures.R
#
# Reads the data committed in tests/fixtures/r/ (apistrat.csv, apiclus1.csv, apiclus2.csv,
# multistage_firms.csv) and writes tests/fixtures/r/ratio_reference.csv:
#   design, num, den, stat, value
# with stat est, se, deff (svyratio(..., na.rm = TRUE, deff = TRUE)), ci_low, ci_high
# (confint(r, df = degf(design))) and df (degf(design)); design "meta" records the versions,
# design "target" the population counts used for calibration (num = variable, den = level).
#
# Designs:
#   api_strat     svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, apistrat)
#   api_clus1     svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, apiclus1)
#   clus2         svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, apiclus2)
#   strat2        svydesign(id = ~psu + firm, strata = ~h, fpc = ~N1 + N2, multistage_firms)
#                 (z has missing values)
#   api_strat_ps  postStratify(api_strat, ~stype, population counts of apipop)
#   api_strat_rake rake(api_strat, list(~stype, ~sch.wide), population counts of apipop)
# Missing values: acs.46 / acs.k3 on apistrat (both have NAs), y / z on strat2.

suppressPackageStartupMessages(library(survey))

fix <- file.path("tests", "fixtures", "r")
source(file.path("tests", "r", "common.R"))   # num17
rd <- function(name) read.csv(file.path(fix, name), stringsAsFactors = FALSE)

ref <- data.frame(design = "meta", num = as.character(packageVersion("survey")),
                  den = R.version.string, stat = "", value = NA_character_,
                  stringsAsFactors = FALSE)
add <- function(design, num, den, stat, value) {
  ref <<- rbind(ref, data.frame(design = design, num = num, den = den, stat = stat,
                                value = num17(value), stringsAsFactors = FALSE))
}

ratios <- function(name, d, pairs) {
  for (p in pairs) {
    r <- svyratio(as.formula(paste0("~", p[1])), as.formula(paste0("~", p[2])), d,
                  na.rm = TRUE, deff = TRUE)
    ci <- confint(r, df = degf(d))
    add(name, p[1], p[2], "est", coef(r)[[1]])
    add(name, p[1], p[2], "se", SE(r)[[1]])
    add(name, p[1], p[2], "deff", deff(r)[[1]])
    add(name, p[1], p[2], "ci_low", ci[1, 1])
    add(name, p[1], p[2], "ci_high", ci[1, 2])
    add(name, p[1], p[2], "df", degf(d))
  }
}

apistrat <- rd("apistrat.csv")
apiclus1 <- rd("apiclus1.csv")
apiclus2 <- rd("apiclus2.csv")
firms <- rd("multistage_firms.csv")

options(survey.lonely.psu = "fail")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
ratios("api_strat", dstrat, list(c("api.stu", "enroll"), c("api00", "api99"),
                                 c("acs.46", "acs.k3")))
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
ratios("api_clus1", dclus1, list(c("api.stu", "enroll"), c("api00", "api99")))
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
ratios("clus2", dclus2, list(c("api.stu", "enroll"), c("api00", "api99")))
dfirms <- svydesign(id = ~psu + firm, strata = ~h, fpc = ~N1 + N2, data = firms)
ratios("strat2", dfirms, list(c("y", "z"), c("z", "y")))

pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_wide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
for (k in seq_len(nrow(pop_stype))) add("target", "stype", pop_stype$stype[k], "", pop_stype$Freq[k])
for (k in seq_len(nrow(pop_wide))) add("target", "sch.wide", pop_wide$sch.wide[k], "", pop_wide$Freq[k])
dps <- postStratify(dstrat, ~stype, pop_stype)
ratios("api_strat_ps", dps, list(c("api.stu", "enroll"), c("acs.46", "acs.k3")))
drake <- rake(dstrat, list(~stype, ~sch.wide), list(pop_stype, pop_wide),
              control = list(maxit = 100, epsilon = 1e-12, verbose = FALSE))
ratios("api_strat_rake", drake, list(c("api.stu", "enroll"), c("acs.46", "acs.k3")))

write.csv(ref, file.path(fix, "ratio_reference.csv"), row.names = FALSE, na = "")
