# Reference weights from R `survey` for survey_kit.weighting (issue 4).
#
# Run from the repository root:
#     Rscript tests/r/weighting_fixtures.R
#
# Writes to tests/fixtures/r/:
#   weighting_apistrat.csv          R data(api) apistrat (subset of columns), id = snum
#   weighting_apistrat_margins.csv  population margins from apipop (variable,level,target)
#   weighting_apistrat_cells.csv    population cells stype x sch_wide from apipop
#   weighting_firms.csv             synthetic sample of 600 firms (set.seed below);
#                                   data sets "firms" (base_w) and "firms_equal"
#                                   (equal weights) both use it
#   weighting_firms_margins.csv     population margins of the synthetic firm population
#   weighting_firms_cells.csv       population cells size_class x sector
#   weighting_cases.csv             one row per reference case (what was run)
#   weighting_reference_<dataset>.csv  id + one column of weights per case
#                                   (17 significant digits)
#
# Every case is run to convergence: rake with maxit = 5000, epsilon = 1e-13
# (relative to the sum of the weights); calibrate with maxit = 500,
# epsilon = 1e-13.

suppressPackageStartupMessages(library(survey))

out_dir <- file.path("tests", "fixtures", "r")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

num17 <- function(x) sprintf("%.17g", x)

write_data <- function(df, path) {
  for (nm in names(df)) {
    if (is.double(df[[nm]])) df[[nm]] <- num17(df[[nm]])
    if (is.factor(df[[nm]])) df[[nm]] <- as.character(df[[nm]])
  }
  write.csv(df, path, row.names = FALSE, quote = TRUE)
}

margins_frame <- function(pop, vars) {
  do.call(rbind, lapply(vars, function(v) {
    tab <- table(pop[[v]])
    data.frame(variable = v, level = names(tab), target = as.numeric(tab),
               stringsAsFactors = FALSE)
  }))
}

write_targets <- function(df, path, comment) {
  # the targets format survey_kit reads: '#' comment lines, then a CSV
  con <- file(path, "w")
  writeLines(paste("#", comment), con)
  write.csv(df, con, row.names = FALSE)
  close(con)
}

cells_frame <- function(pop, vars) {
  tab <- as.data.frame(table(pop[, vars]), stringsAsFactors = FALSE)
  names(tab)[names(tab) == "Freq"] <- "target"
  tab
}

pop_list <- function(pop, v) {
  tab <- as.data.frame(table(pop[[v]]))
  names(tab) <- c(v, "Freq")
  tab
}

cal_totals <- function(pop, vars) {
  # population totals of the columns of model.matrix(~ v1 + v2 + ...)
  f <- as.formula(paste("~", paste(vars, collapse = " + ")))
  colSums(model.matrix(f, pop))
}

cases <- list()
wname_now <- ""
refs <- list()

add_case <- function(dataset, case, method, variables, w, ids, calfun = "",
                     lower = NA, upper = NA, strict = NA, of = "") {
  cases[[length(cases) + 1]] <<- data.frame(
    dataset = dataset, case = case, method = method, weights = wname_now,
    variables = paste(variables, collapse = "+"), calfun = calfun,
    lower = lower, upper = upper, strict = strict, of = of,
    stringsAsFactors = FALSE)
  refs[[length(refs) + 1]] <<- data.frame(
    dataset = dataset, case = case, id = ids, weight = num17(w),
    stringsAsFactors = FALSE)
}

run_dataset <- function(name, sample, pop, design, v3, cellvars, bounds, wname = "") {
  ids <- sample$id
  wname_now <<- wname
  # post-stratification on one variable and on joint cells
  d <- postStratify(design, as.formula(paste("~", v3[1])), pop_list(pop, v3[1]))
  add_case(name, "poststratify_1", "poststratify", v3[1], weights(d), ids)
  cells <- cells_frame(pop, cellvars)
  names(cells)[names(cells) == "target"] <- "Freq"
  d <- postStratify(design, as.formula(paste("~", paste(cellvars, collapse = "+"))), cells)
  add_case(name, "poststratify_cells", "poststratify", cellvars, weights(d), ids)

  ctrl <- list(maxit = 5000, epsilon = 1e-13)
  for (k in 2:3) {
    vars <- v3[1:k]
    sm <- lapply(vars, function(v) as.formula(paste("~", v)))
    pm <- lapply(vars, function(v) pop_list(pop, v))
    d <- rake(design, sm, pm, control = ctrl)
    add_case(name, paste0("rake_", k), "rake", vars, weights(d), ids)
    if (k == 3) raked3 <- d
  }

  f <- as.formula(paste("~", paste(v3, collapse = " + ")))
  tot <- cal_totals(pop, v3)
  cal <- function(calfun, b) {
    calibrate(design, f, population = tot, calfun = calfun, bounds = b,
              maxit = 500, epsilon = 1e-13)
  }
  d <- cal("linear", c(-Inf, Inf))
  add_case(name, "calibrate_linear", "calibrate", v3, weights(d), ids, calfun = "linear")
  d <- cal("raking", c(-Inf, Inf))
  add_case(name, "calibrate_raking", "calibrate", v3, weights(d), ids, calfun = "raking")
  for (cf in names(bounds)) {
    # bounded calibration; only where R's grake converges for these bounds
    b <- bounds[[cf]]
    d <- cal(cf, b)
    g <- weights(d) / weights(design)
    cat(name, cf, "bounds", b, ": g in", range(g), "\n")
    add_case(name, paste0("calibrate_", cf, "_bounded"), "calibrate", v3, weights(d), ids,
             calfun = cf, lower = b[1], upper = b[2])
  }

  # trimming the raked (3 margins) weights, at round quantiles
  w3 <- weights(raked3)
  trim <- signif(quantile(w3, c(0.05, 0.85), names = FALSE), 2)
  for (strict in c(FALSE, TRUE)) {
    d <- trimWeights(raked3, upper = trim[2], lower = trim[1], strict = strict)
    add_case(name, paste0("trim_", if (strict) "strict" else "once"), "trim", v3,
             weights(d, "sampling"), ids, lower = trim[1], upper = trim[2],
             strict = strict, of = "rake_3")
  }
  d <- trimWeights(raked3, upper = trim[2], strict = TRUE)
  add_case(name, "trim_upper_strict", "trim", v3, weights(d, "sampling"), ids,
           upper = trim[2], strict = TRUE, of = "rake_3")
}

## 1. apistrat (R's data(api)), stratified sample of California schools ----
data(api)
api_s <- data.frame(id = apistrat$snum, stype = apistrat$stype,
                    sch_wide = apistrat$sch.wide, comp_imp = apistrat$comp.imp,
                    awards = apistrat$awards, pw = apistrat$pw, fpc = apistrat$fpc,
                    api00 = apistrat$api00, api99 = apistrat$api99,
                    enroll = apistrat$enroll)
api_p <- data.frame(stype = apipop$stype, sch_wide = apipop$sch.wide,
                    comp_imp = apipop$comp.imp)
dstrat <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = api_s)
run_dataset("apistrat", api_s, api_p, dstrat, c("stype", "sch_wide", "comp_imp"),
            c("stype", "sch_wide"),
            bounds = list(linear = c(0.65, 1.3), raking = c(0.5, 1.3),
                          logit = c(0.6, 1.3)),
            wname = "pw")
write_data(api_s, file.path(out_dir, "weighting_apistrat.csv"))
write_targets(margins_frame(api_p, c("stype", "sch_wide", "comp_imp")),
              file.path(out_dir, "weighting_apistrat_margins.csv"),
              "population margins: counts of schools in R data(api) apipop")
write_targets(cells_frame(api_p, c("stype", "sch_wide")),
              file.path(out_dir, "weighting_apistrat_cells.csv"),
              "population cells stype x sch_wide: counts of schools in apipop")

## 2. synthetic firms: a 600-firm online-panel sample ----------------------
set.seed(20240705)
size_lv <- c("micro", "small", "medium", "large")
sector_lv <- c("manufacturing", "business_services", "legal_financial",
               "gaming_animation", "it_services", "other_digital")
region_lv <- c("kanto", "kansai", "chubu", "other")
# population of firms: size x sector x region counts
grid <- expand.grid(size_class = size_lv, sector = sector_lv, region = region_lv,
                    stringsAsFactors = FALSE)
size_p <- c(micro = 0.62, small = 0.24, medium = 0.11, large = 0.03)
sector_p <- c(0.30, 0.22, 0.12, 0.06, 0.20, 0.10)
names(sector_p) <- sector_lv
region_p <- c(kanto = 0.38, kansai = 0.18, chubu = 0.16, other = 0.28)
expected <- 420000 * size_p[grid$size_class] * sector_p[grid$sector] *
  region_p[grid$region] * exp(rnorm(nrow(grid), 0, 0.25))
grid$count <- pmax(1, round(expected))
# the panel over-represents larger firms (as in the reference study: 27%
# micro, 11% small, 24% medium, 28% large)
pick <- grid$count * c(micro = 0.27 / 0.62, small = 0.11 / 0.24,
                       medium = 0.24 / 0.11, large = 0.28 / 0.03)[grid$size_class] *
  exp(rnorm(nrow(grid), 0, 0.3))
cell <- sample(nrow(grid), 600, replace = TRUE, prob = pick)
firms <- data.frame(id = sprintf("R%04d", 1:600), grid[cell, c("size_class", "sector", "region")],
                    stringsAsFactors = FALSE)
rownames(firms) <- NULL
firms$employees_log <- round(rnorm(600, c(micro = 1.2, small = 3.2, medium = 5,
                                          large = 7)[firms$size_class], 0.5), 3)
# panel base weight: size-class population / sample count, with noise
npop <- tapply(grid$count, grid$size_class, sum)[firms$size_class]
nsam <- table(firms$size_class)[firms$size_class]
firms$base_w <- as.numeric(npop / nsam) * exp(rnorm(600, 0, 0.2))
firms$size_class <- factor(firms$size_class, levels = size_lv)
firms$sector <- factor(firms$sector, levels = sector_lv)
firms$region <- factor(firms$region, levels = region_lv)
firms_pop <- grid[rep(seq_len(nrow(grid)), grid$count), c("size_class", "sector", "region")]
firms_pop$size_class <- factor(firms_pop$size_class, levels = size_lv)
firms_pop$sector <- factor(firms_pop$sector, levels = sector_lv)
firms_pop$region <- factor(firms_pop$region, levels = region_lv)
firm_vars <- c("size_class", "sector", "region")
# (a) with the panel base weights
dfirms <- svydesign(ids = ~1, weights = ~base_w, data = firms)
run_dataset("firms", firms, firms_pop, dfirms, firm_vars, c("size_class", "sector"),
            bounds = list(linear = c(0.7, 2), raking = c(0.7, 2), logit = c(0.7, 2)),
            wname = "base_w")
# (b) equal base weights (weights = None in Python). Linear calibration gives
# negative weights here; grake rescales the weights by about 686 first
# (population/sample > 20), so the bounds apply after that rescaling. R's
# grake does not converge for bounded raking on these data, so that case
# is absent.
dfirms1 <- suppressWarnings(svydesign(ids = ~1, data = firms))
run_dataset("firms_equal", firms, firms_pop, dfirms1, firm_vars, c("size_class", "sector"),
            bounds = list(linear = c(0.05, 3), logit = c(0.05, 3.5)))
write_data(firms, file.path(out_dir, "weighting_firms.csv"))
write_targets(margins_frame(firms_pop, firm_vars),
              file.path(out_dir, "weighting_firms_margins.csv"),
              "population margins: counts of firms in the synthetic population")
write_targets(cells_frame(firms_pop, c("size_class", "sector")),
              file.path(out_dir, "weighting_firms_cells.csv"),
              "population cells size_class x sector: counts of firms")

write.csv(do.call(rbind, cases), file.path(out_dir, "weighting_cases.csv"), row.names = FALSE)
# reference weights, one wide file per data set: id + one column per case
all_refs <- do.call(rbind, refs)
for (ds in unique(all_refs$dataset)) {
  one <- all_refs[all_refs$dataset == ds, ]
  wide <- data.frame(id = one$id[one$case == one$case[1]], stringsAsFactors = FALSE)
  for (cs in unique(one$case)) wide[[cs]] <- one$weight[one$case == cs]
  write.csv(wide, file.path(out_dir, paste0("weighting_reference_", ds, ".csv")),
            row.names = FALSE, quote = FALSE)
}
cat("wrote", length(cases), "cases\n")
