# Reference values from R `survey` for calibration to totals of numeric variables
# (survey_kit.calibrate(..., numeric_totals=...)).
#
# Run from the repository root:
#     Rscript tests/r/numeric_calibration_fixtures.R
#
# Data: tests/fixtures/r/apistrat.csv (R data(api) apistrat), design
# svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc).
# Population totals from R's apipop: N, the stype counts, and the totals of
# enroll (na.rm = TRUE) and api99.
#
# Writes tests/fixtures/r/numeric_calibration_reference.csv with columns
# case, kind, name, value (17 significant digits):
#   kind "target":  population totals (case "population")
#   kind "weight":  final weights of rows (name = row number, 1-based) 1, 17, 50, 123, 200
#   kind "wsum":    sum, min, max of the final weights
#   kind "est":     svymean / svytotal estimate and se (name = stat.variable.quantity)

suppressPackageStartupMessages(library(survey))
data(api)

num17 <- function(x) sprintf("%.17g", x)

strat <- read.csv(file.path("tests", "fixtures", "r", "apistrat.csv"))
strat$stype <- factor(strat$stype, levels = c("E", "H", "M"))
des <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)

N <- nrow(apipop)
st <- table(apipop$stype)
pop_enroll <- c(`(Intercept)` = N, stypeH = st[["H"]], stypeM = st[["M"]],
                enroll = sum(apipop$enroll, na.rm = TRUE))
pop_api99 <- c(`(Intercept)` = N, stypeH = st[["H"]], stypeM = st[["M"]],
               api99 = sum(apipop$api99))

rows <- list(data.frame(case = "population", kind = "target",
                        name = c("N", "E", "H", "M", "enroll", "api99"),
                        value = num17(c(N, st[["E"]], st[["H"]], st[["M"]],
                                        sum(apipop$enroll, na.rm = TRUE),
                                        sum(apipop$api99)))))

cases <- list(
  linear_enroll = list(f = ~stype + enroll, pop = pop_enroll, calfun = "linear", bounds = NULL),
  raking_enroll = list(f = ~stype + enroll, pop = pop_enroll, calfun = "raking", bounds = NULL),
  logit_enroll = list(f = ~stype + enroll, pop = pop_enroll, calfun = "logit",
                      bounds = c(0.5, 2)),
  linear_api99 = list(f = ~stype + api99, pop = pop_api99, calfun = "linear", bounds = NULL),
  raking_api99 = list(f = ~stype + api99, pop = pop_api99, calfun = "raking", bounds = NULL)
)
pick <- c(1, 17, 50, 123, 200)

for (nm in names(cases)) {
  cs <- cases[[nm]]
  cal <- if (is.null(cs$bounds)) {
    calibrate(des, cs$f, population = cs$pop, calfun = cs$calfun, maxit = 500,
              epsilon = 1e-13)
  } else {
    calibrate(des, cs$f, population = cs$pop, calfun = cs$calfun, bounds = cs$bounds,
              maxit = 500, epsilon = 1e-13)
  }
  w <- weights(cal)
  rows[[length(rows) + 1]] <- data.frame(case = nm, kind = "weight", name = as.character(pick),
                                         value = num17(w[pick]))
  rows[[length(rows) + 1]] <- data.frame(case = nm, kind = "wsum",
                                         name = c("sum", "min", "max"),
                                         value = num17(c(sum(w), min(w), max(w))))
  for (v in c("api00", "meals")) {
    f <- as.formula(paste0("~", v))
    m <- svymean(f, cal)
    t <- svytotal(f, cal)
    rows[[length(rows) + 1]] <- data.frame(
      case = nm, kind = "est",
      name = paste(c("mean", "mean", "total", "total"), v, c("est", "se", "est", "se"),
                   sep = "."),
      value = num17(c(coef(m), SE(m), coef(t), SE(t))))
  }
}

out <- do.call(rbind, rows)
write.csv(out, file.path("tests", "fixtures", "r", "numeric_calibration_reference.csv"),
          row.names = FALSE, quote = TRUE)
