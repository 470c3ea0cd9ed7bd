# Reference values from R `survey` for multistage designs (svyrecvar's recursion).
#
# Run from the repository root:
#     Rscript tests/r/multistage_fixtures.R
#
# Writes to tests/fixtures/r/:
#   apiclus2.csv, mu284.csv    R data(api) apiclus2 and data(mu284), all columns
#   multistage_firms.csv       synthetic stratified two-stage sample (set.seed below):
#                              stratum h, PSU psu (N1 PSUs in the stratum's population),
#                              SSU firm (N2 firms in the PSU's population), y, z, g
#   multistage_reference.csv   design, kind, var, level, stat, value
#
# Designs:
#   clus2        svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
#   clus2_nofpc  svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
#                (no fpc: with-replacement, first stage only)
#   mu284        svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)
#   strat2       svydesign(id = ~psu + firm, strata = ~h, fpc = ~N1 + N2,
#                          data = multistage_firms)
#   strat2_frac  the same with fpc given as sampling fractions (n1/N1, n2/N2)
#   strat2_lonely_<option>  strat2 after dropping all but one sampled firm of PSU "p1.2",
#                so that PSU is a lonely unit at stage 2; options(survey.lonely.psu)
#                remove, adjust, average, certainty
#
# kind: mean, total (svymean/svytotal, na.rm = TRUE, deff = deff_kind(d)); stat est, se, deff;
#       prop (svymean of the factor g: est, se); by_mean (svyby(~var, ~by, svymean,
#       na.rm = TRUE): level = the domain; est, se); degf.

suppressPackageStartupMessages(library(survey))

# deff against SRS without replacement when the design has an fpc, with replacement
# otherwise (as tests/r/design_fixtures.R explains)
deff_kind <- function(d) if (is.null(d$fpc$popsize)) "replace" else TRUE

out_dir <- file.path("tests", "fixtures", "r")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
source(file.path("tests", "r", "common.R"))   # num17, write_data

data(api)
data(mu284)
write_data(apiclus2, file.path(out_dir, "apiclus2.csv"))
write_data(mu284, file.path(out_dir, "mu284.csv"))

# ---------------------------------------------------------------- synthetic stratified 2-stage
set.seed(20241204)
rows <- list()
for (h in 1:3) {
  N1 <- c(12, 20, 9)[h]
  n1 <- c(4, 5, 3)[h]
  for (p in seq_len(n1)) {
    N2 <- sample(15:60, 1)
    n2 <- sample(3:7, 1)
    y <- round(rnorm(n2, mean = 50 + 10 * h + 3 * p, sd = 12), 3)
    z <- round(rexp(n2, 1 / (20 + 5 * h)), 3)
    g <- sample(c("a", "b", "c"), n2, replace = TRUE, prob = c(0.5, 0.3, 0.2))
    rows[[length(rows) + 1]] <- data.frame(
      h = paste0("h", h), psu = paste0("p", h, ".", p), firm = paste0("f", h, ".", p, ".", seq_len(n2)),
      N1 = N1, N2 = N2, n1 = n1, n2 = n2, y = y, z = z, g = g, stringsAsFactors = FALSE)
  }
}
firms <- do.call(rbind, rows)
firms$z[c(3, 17)] <- NA            # missing values: na.rm = TRUE
firms$frac1 <- firms$n1 / firms$N1
firms$frac2 <- firms$n2 / firms$N2
write_data(firms, file.path(out_dir, "multistage_firms.csv"))

# ---------------------------------------------------------------- reference values
ref <- data.frame(design = "meta", kind = "meta", var = "survey",
                  level = as.character(packageVersion("survey")),
                  stat = R.version.string, value = NA_character_, stringsAsFactors = FALSE)
add <- function(design, kind, var, level, stat, value) {
  ref <<- rbind(ref, data.frame(design = design, kind = kind, var = var, level = level,
                                stat = stat, value = num17(value), stringsAsFactors = FALSE))
}

estimates <- function(name, d, vars, factor_var = NULL) {
  for (v in vars) {
    f <- as.formula(paste0("~", v))
    m <- svymean(f, d, na.rm = TRUE, deff = deff_kind(d))
    add(name, "mean", v, "", "est", coef(m)[[1]])
    add(name, "mean", v, "", "se", SE(m)[[1]])
    add(name, "mean", v, "", "deff", deff(m)[[1]])
    t <- svytotal(f, d, na.rm = TRUE, deff = deff_kind(d))
    add(name, "total", v, "", "est", coef(t)[[1]])
    add(name, "total", v, "", "se", SE(t)[[1]])
    add(name, "total", v, "", "deff", deff(t)[[1]])
  }
  if (!is.null(factor_var)) {
    p <- svymean(as.formula(paste0("~", factor_var)), d, na.rm = TRUE)
    for (k in seq_along(coef(p))) {
      lev <- sub(paste0("^", factor_var), "", names(coef(p))[k])
      add(name, "prop", factor_var, lev, "est", coef(p)[[k]])
      add(name, "prop", factor_var, lev, "se", SE(p)[[k]])
    }
  }
  add(name, "degf", "", "", "value", degf(d))
}

domains <- function(name, d, var, by) {
  b <- svyby(as.formula(paste0("~", var)), as.formula(paste0("~", by)), d, svymean,
             na.rm = TRUE)
  for (k in seq_len(nrow(b))) {
    add(name, "by_mean", var, paste0(by, "=", as.character(b[[by]][k])), "est", coef(b)[[k]])
    add(name, "by_mean", var, paste0(by, "=", as.character(b[[by]][k])), "se", SE(b)[[k]])
  }
}

options(survey.lonely.psu = "fail")
clus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
estimates("clus2", clus2, c("api00", "enroll", "api.stu"), "stype")
domains("clus2", clus2, "api00", "stype")
clus2_nofpc <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
estimates("clus2_nofpc", clus2_nofpc, c("api00", "enroll"), "stype")
mu <- svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)
estimates("mu284", mu, c("y1"))

strat2 <- svydesign(id = ~psu + firm, strata = ~h, fpc = ~N1 + N2, data = firms)
estimates("strat2", strat2, c("y", "z"), "g")
domains("strat2", strat2, "y", "g")
domains("strat2", strat2, "z", "h")
strat2_frac <- svydesign(id = ~psu + firm, strata = ~h, fpc = ~frac1 + frac2, data = firms)
estimates("strat2_frac", strat2_frac, c("y", "z"), "g")

lonely <- firms[!(firms$psu == "p1.2" & firms$firm != "f1.2.1"), ]
write_data(lonely, file.path(out_dir, "multistage_firms_lonely.csv"))
for (opt in c("remove", "adjust", "average", "certainty")) {
  options(survey.lonely.psu = opt)
  d <- suppressWarnings(svydesign(id = ~psu + firm, strata = ~h, fpc = ~N1 + N2, data = lonely))
  suppressWarnings(estimates(paste0("strat2_lonely_", opt), d, c("y"), "g"))
  suppressWarnings(domains(paste0("strat2_lonely_", opt), d, "y", "g"))
}

write.csv(ref, file.path(out_dir, "multistage_reference.csv"), row.names = FALSE, na = "")
