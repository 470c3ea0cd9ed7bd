# Reference values for survey_kit/stats.py (tests of association).
#
# Run from the repository root:   Rscript tests/r/stats_fixtures.R
# Writes tests/fixtures/r/stats_*.csv (the data) and stats_*.json (the values).
# Needs R packages survey and jsonlite (Debian: r-cran-survey, r-cran-jsonlite).
#
# What is recorded
# - svychisq(), all six statistics, on: apistrat (stratified, fpc), apiclus1
#   (one-stage cluster, fpc), a weights-only design, a post-stratified design of a
#   synthetic firm survey (4x4 table), a table with missing values, and a strongly
#   associated table (p far below 1e-30).
# - statistic "lincom": survey's pFsum(method = "integration") calls
#   CompQuadForm::davies(); CompQuadForm is not in Debian and CRAN cannot be reached
#   from the build machines, and without it survey silently falls back to the
#   saddlepoint. So the reference p-value of "lincom" is computed here by numerical
#   inversion of the characteristic function of the same quadratic form
#   (sum_j lambda_j chi2_1 - (X2 / ddf) chi2_floor(ddf), upper tail at 0; the
#   integer degrees of freedom are what CompQuadForm's as.integer(h) uses), twice:
#   Imhof (1961) along the real axis and along a vertical line through the saddle
#   point (accurate in the far tail). When CompQuadForm is installed, survey's own
#   value is recorded too ("p_value_davies").
# - Unweighted tests: chisq.test(correct = FALSE), the likelihood-ratio G statistic
#   (by hand), fisher.test (2x2 and r x c), the linear-by-linear association
#   statistic M2 = (N - 1) r^2 (by hand; coin is not installed), prop.trend.test
#   (Cochran-Armitage) and Cramer's V (by hand).

suppressMessages({
  library(survey)
  library(jsonlite)
})

out_dir <- file.path("tests", "fixtures", "r")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

write_data <- function(df, name) {
  write.csv(df, file.path(out_dir, name), row.names = FALSE, na = "")
}
write_json_file <- function(x, name) {
  writeLines(toJSON(x, auto_unbox = TRUE, digits = I(17), pretty = TRUE, na = "null"),
             file.path(out_dir, name))
}

# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------
data(api)
band <- function(x) cut(x, c(-Inf, 550, 650, 750, Inf),
                        labels = c("lt550", "550-649", "650-749", "750+"), right = FALSE)

keep <- c("snum", "dnum", "stype", "sch.wide", "comp.imp", "both", "awards", "yr.rnd",
          "api00", "pw", "fpc")
strat <- apistrat[, keep]
strat$api_band <- band(strat$api00)
# missing values: a copy of stype and awards with holes
strat$stype_na <- as.character(strat$stype)
strat$stype_na[c(3, 17, 40, 41, 99, 150)] <- NA
strat$awards_na <- as.character(strat$awards)
strat$awards_na[c(1:8, 60, 61, 120, 199)] <- NA
strat$api_band_na <- as.character(strat$api_band)
strat$api_band_na[c(5, 17, 77, 78, 79)] <- NA
write_data(strat, "stats_apistrat.csv")

clus <- apiclus1[, keep]
clus$api_band <- band(clus$api00)
write_data(clus, "stats_apiclus1.csv")

# a firm survey: sample stratified by size band with unequal sampling fractions,
# post-stratified to known counts of firms by region
set.seed(20240917)
size_levels <- c("1-9", "10-49", "50-249", "250+")
pop_size <- c(30000, 12000, 3000, 600)
n_size <- c(180, 160, 140, 120)
industries <- c("Manufacturing", "Trade", "ICT", "Services")
regions <- c("Kanto", "Kansai", "Chubu", "Other")
adoption_levels <- c("No use", "Trial", "Partial", "Extensive")
firms <- do.call(rbind, lapply(seq_along(size_levels), function(h) {
  n <- n_size[h]
  ind <- sample(industries, n, replace = TRUE, prob = c(0.3, 0.3, 0.15, 0.25))
  reg <- sample(regions, n, replace = TRUE, prob = c(0.4, 0.2, 0.15, 0.25))
  # adoption rises with size and in ICT
  lin <- 0.45 * h + ifelse(ind == "ICT", 1.2, ifelse(ind == "Services", 0.4, 0)) +
    rnorm(n, 0, 1.2)
  adopt <- cut(lin, c(-Inf, 0.8, 1.6, 2.4, Inf), labels = adoption_levels)
  data.frame(firm_id = 0, size_band = size_levels[h], industry = ind, region = reg,
             adoption = as.character(adopt),
             exporter = ifelse(runif(n) < plogis(-1.5 + 0.5 * h), "Yes", "No"),
             uses_cloud = ifelse(runif(n) < plogis(-0.5 + 0.4 * h + 0.8 * (ind == "ICT")),
                                 "Yes", "No"),
             base_weight = pop_size[h] / n, stringsAsFactors = FALSE)
}))
firms$firm_id <- seq_len(nrow(firms))
write_data(firms, "stats_firms.csv")
region_targets <- data.frame(region = regions, Freq = c(19000, 9500, 7100, 10000))
write_data(region_targets, "stats_firms_region_targets.csv")

# strongly associated table: p far below 1e-30
set.seed(7)
n_strong <- 3000
s_stratum <- sample(c("A", "B", "C"), n_strong, replace = TRUE)
s_x <- sample(c("low", "mid", "high"), n_strong, replace = TRUE)
s_y <- ifelse(runif(n_strong) < 0.22, s_x, sample(c("low", "mid", "high"), n_strong, TRUE))
strong <- data.frame(stratum = s_stratum, x = s_x, y = s_y,
                     w = round(runif(n_strong, 1, 5), 3), stringsAsFactors = FALSE)
write_data(strong, "stats_strong.csv")

# ---------------------------------------------------------------------------
# designs
# ---------------------------------------------------------------------------
designs <- list(
  apistrat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat, fpc = ~fpc),
  apiclus1 = svydesign(id = ~dnum, weights = ~pw, data = clus, fpc = ~fpc),
  weights_only = svydesign(id = ~1, weights = ~pw, data = strat),
  firms_post = postStratify(
    svydesign(id = ~1, strata = ~size_band, weights = ~base_weight, data = firms),
    ~region, region_targets),
  strong = svydesign(id = ~1, strata = ~stratum, weights = ~w, data = strong)
)

cases <- list(
  list(design = "apistrat", row = "sch.wide", col = "stype"),
  list(design = "apistrat", row = "stype", col = "api_band"),
  list(design = "apistrat", row = "stype", col = "awards"),
  list(design = "apistrat", row = "stype_na", col = "api_band_na"),
  list(design = "apistrat", row = "stype_na", col = "awards_na"),
  list(design = "apiclus1", row = "sch.wide", col = "stype"),
  list(design = "apiclus1", row = "stype", col = "api_band"),
  list(design = "weights_only", row = "stype", col = "api_band"),
  list(design = "weights_only", row = "sch.wide", col = "awards"),
  list(design = "firms_post", row = "industry", col = "adoption"),
  list(design = "firms_post", row = "size_band", col = "adoption"),
  list(design = "strong", row = "x", col = "y")
)
statistics <- c("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint")

# ---------------------------------------------------------------------------
# "lincom" reference: P(sum_j lambda_j chi2_{h_j} > 0)
# ---------------------------------------------------------------------------
# Imhof (1961): P(Q > 0) = 1/2 + (1/pi) int_0^Inf sin(theta(u)) / (u rho(u)) du
imhof_upper <- function(lambda, h) {
  f <- function(u) {
    theta <- 0.5 * colSums(h * atan(outer(lambda, u)))
    logrho <- colSums((h / 4) * log1p(outer(lambda, u)^2))
    out <- sin(theta) / (u * exp(logrho))
    out[u == 0] <- 0.5 * sum(h * lambda)
    out
  }
  0.5 + integrate(f, 0, Inf, rel.tol = 1e-13, abs.tol = 0, subdivisions = 5000L)$value / pi
}
# Inversion along Re(s) = c through the saddle point:
# P(Q > 0) = exp(K(c)) / pi * int_0^Inf Re[exp(K(c + it) - K(c)) / (c + it)] dt   (c > 0)
# and 1 + the same for c < 0.  K(s) = -sum h_j / 2 log(1 - 2 lambda_j s).
contour_upper <- function(lambda, h) {
  Kr <- function(s) -sum(h / 2 * log1p(-2 * lambda * s))
  K1 <- function(s) sum(h * lambda / (1 - 2 * lambda * s))
  hi <- 1 / (2 * max(lambda[lambda > 0]))
  lo <- 1 / (2 * min(lambda[lambda < 0]))
  z <- uniroot(K1, c(lo, hi) * (1 - 1e-12), tol = 1e-15)$root
  c0 <- if (abs(z) > 1e-3 * min(hi, -lo)) z else 0.5 * hi
  Kc <- Kr(c0)
  f <- function(t) {
    s <- complex(real = c0, imaginary = t)
    vapply(s, function(si) Re(exp(-sum(h / 2 * log(1 - 2 * lambda * si)) - Kc) / si),
           numeric(1))
  }
  # the tightest tolerance integrate() reaches without a roundoff error
  int <- NULL
  for (rt in c(1e-13, 1e-12, 1e-11, 1e-10)) {
    int <- tryCatch(integrate(f, 0, Inf, rel.tol = rt, abs.tol = 0, subdivisions = 5000L),
                    error = function(e) NULL)
    if (!is.null(int)) break
  }
  val <- exp(Kc) * int$value / pi
  if (c0 > 0) val else 1 + val
}

# R's Rao-Scott design-effect matrix, computed as svychisq does, to get its eigenvalues
delta_matrix <- function(design, row, col) {
  fsat <- as.formula(sprintf("~interaction(factor(`%s`), factor(`%s`)) - 1", row, col))
  mm <- model.matrix(fsat, model.frame(fsat, design$variables, na.action = na.pass))
  N <- nrow(mm)
  nr <- length(na.omit(unique(design$variables[[row]])))
  nc <- length(na.omit(unique(design$variables[[col]])))
  mean2 <- svymean(mm, design, na.rm = TRUE)
  mf1 <- expand.grid(rows = 1:nr, cols = 1:nc)
  X1 <- model.matrix(~factor(rows) + factor(cols), mf1)
  X12 <- model.matrix(~factor(rows) * factor(cols), mf1)
  Cmat <- qr.resid(qr(X1), X12[, -(1:(nr + nc - 1)), drop = FALSE])
  iD <- diag(ifelse(mean2 == 0, 0, 1 / mean2))
  V <- attr(mean2, "var")
  solve(t(Cmat) %*% (iD / N) %*% Cmat, t(Cmat) %*% iD %*% V %*% iD %*% Cmat)
}

has_cqf <- requireNamespace("CompQuadForm", quietly = TRUE)

svy_results <- list()
for (cs in cases) {
  des <- designs[[cs$design]]
  fml <- as.formula(sprintf("~`%s` + `%s`", cs$row, cs$col))
  chisq_res <- svychisq(fml, des, statistic = "Chisq")
  f_res <- svychisq(fml, des, statistic = "F")
  x2 <- unname(chisq_res$statistic)
  Delta <- delta_matrix(des, cs$row, cs$col)
  eig <- Re(eigen(Delta, only.values = TRUE)$values)
  # the helper must reproduce svychisq's F statistic and numerator df
  stopifnot(abs(x2 / sum(diag(Delta)) / unname(f_res$statistic) - 1) < 1e-10)
  d0 <- sum(diag(Delta))^2 / sum(diag(Delta %*% Delta))
  stopifnot(abs(d0 / unname(f_res$parameter[1]) - 1) < 1e-10)
  ddf <- unname(f_res$parameter[2])
  for (st in statistics) {
    res <- withCallingHandlers(
      svychisq(fml, des, statistic = st),
      warning = function(w) invokeRestart("muffleWarning"))
    rec <- list(design = cs$design, row = cs$row, col = cs$col, statistic_type = st,
                statistic = as.vector(unname(res$statistic)),
                ndf = NA, ddf = NA, df = NA, p_value = as.vector(unname(res$p.value)),
                method = res$method, x2 = x2, nu = ddf / d0,
                deff_eigenvalues = eig)
    if (st %in% c("F", "Wald", "adjWald")) {
      rec$ndf <- unname(res$parameter[1])
      rec$ddf <- unname(res$parameter[2])
    } else if (st == "Chisq") {
      rec$df <- unname(res$parameter[1])
    }
    if (st == "lincom") {
      lam <- c(eig, -x2 / ddf)
      hh <- c(rep(1, length(eig)), floor(ddf))
      p_contour <- contour_upper(lam, hh)
      p_imhof <- imhof_upper(lam, hh)
      if (p_contour > 1e-8)
        stopifnot(abs(p_imhof - p_contour) < 1e-10)
      rec$p_value_survey <- rec$p_value     # what survey gave on this machine
      rec$p_value <- p_contour
      rec$p_value_imhof <- p_imhof
      rec$p_value_davies <- if (has_cqf) unname(res$p.value) else NA
      rec$compquadform_available <- has_cqf
    }
    svy_results[[length(svy_results) + 1]] <- rec
  }
}
# survey's pFsum(method = "saddlepoint") and the exact reference on a grid of its own
pfsum <- list()
grid <- list(list(x = 40, a = c(1, 0.25), ddf = 23), list(x = 12.5, a = c(2.1, 0.7, 0.3), ddf = 57.6),
             list(x = 3, a = c(0.9, 0.8, 0.5, 0.1), ddf = 150.2),
             list(x = 250, a = c(1.5, 1.2, 0.9, 0.4, 0.2), ddf = 800.9),
             list(x = 0.8, a = c(1.1, 0.6), ddf = 12), list(x = 60, a = 2.5, ddf = 40.5),
             list(x = 1000, a = c(3, 2, 1), ddf = 5000.3))
for (g in grid) {
  k <- length(g$a)
  sad <- survey:::pFsum(g$x, rep(1, k), g$a, ddf = g$ddf, lower.tail = FALSE,
                        method = "saddlepoint")
  lam <- c(g$a, -g$x / g$ddf); hh <- c(rep(1, k), floor(g$ddf))
  pfsum[[length(pfsum) + 1]] <- list(x = g$x, eigenvalues = g$a, ddf = g$ddf,
    saddlepoint = sad, exact = contour_upper(lam, hh))
}
write_json_file(list(survey_version = as.character(packageVersion("survey")),
                     r_version = R.version.string,
                     results = svy_results, pfsum = pfsum), "stats_svychisq.json")

# ---------------------------------------------------------------------------
# unweighted tests
# ---------------------------------------------------------------------------
unw <- list()
tab_of <- function(df, row, col) table(df[[row]], df[[col]])
g_stat <- function(tab) {
  E <- outer(rowSums(tab), colSums(tab)) / sum(tab)
  O <- as.vector(tab); E <- as.vector(E)
  2 * sum(ifelse(O > 0, O * log(O / E), 0))
}
cramer <- function(tab) {
  x2 <- suppressWarnings(chisq.test(tab, correct = FALSE))$statistic
  unname(sqrt(x2 / (sum(tab) * (min(dim(tab)) - 1))))
}
lbl <- function(tab, rs, cs) {
  # linear-by-linear association: M2 = (N - 1) r^2, r the Pearson correlation of scores
  N <- sum(tab)
  i <- rep(rs, times = ncol(tab)); j <- rep(cs, each = nrow(tab)); w <- as.vector(tab)
  mi <- sum(w * i) / N; mj <- sum(w * j) / N
  r <- sum(w * (i - mi) * (j - mj)) / sqrt(sum(w * (i - mi)^2) * sum(w * (j - mj)^2))
  c(M2 = (N - 1) * r^2, r = r)
}

# conditional maximum-likelihood odds ratio of a 2x2 table and its exact 95% interval,
# as fisher.test computes them but with root-finding tolerance 1e-13 (fisher.test
# uses uniroot's default, about 1e-4, so its own digits beyond that are noise)
odds_ratio_ref <- function(tab, conf = 0.95) {
  m <- sum(tab[, 1]); n <- sum(tab[, 2]); k <- sum(tab[1, ]); x <- tab[1, 1]
  lo <- max(0, k - n); hi <- min(k, m); support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dn <- function(ncp) { d <- logdc + log(ncp) * support; d <- exp(d - max(d)); d / sum(d) }
  mn <- function(ncp) if (ncp == 0) lo else if (ncp == Inf) hi else sum(support * dn(ncp))
  pn <- function(q, ncp, upper = FALSE) {
    if (ncp == 0) return(as.numeric(if (upper) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper) q <= hi else q >= hi))
    if (upper) sum(dn(ncp)[support >= q]) else sum(dn(ncp)[support <= q])
  }
  tol <- 1e-13
  est <- if (x == lo) 0 else if (x == hi) Inf else {
    mu <- mn(1)
    if (mu > x) uniroot(function(t) mn(t) - x, c(0, 1), tol = tol)$root
    else if (mu < x) 1 / uniroot(function(t) mn(1 / t) - x, c(.Machine$double.eps, 1),
                                 tol = tol)$root
    else 1
  }
  alpha <- (1 - conf) / 2
  upper <- if (x == hi) Inf else {
    p <- pn(x, 1)
    if (p < alpha) uniroot(function(t) pn(x, t) - alpha, c(0, 1), tol = tol)$root
    else if (p > alpha) 1 / uniroot(function(t) pn(x, 1 / t) - alpha,
                                    c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  lower <- if (x == lo) 0 else {
    p <- pn(x, 1, upper = TRUE)
    if (p > alpha) uniroot(function(t) pn(x, t, upper = TRUE) - alpha, c(0, 1), tol = tol)$root
    else if (p < alpha) 1 / uniroot(function(t) pn(x, 1 / t, upper = TRUE) - alpha,
                                    c(.Machine$double.eps, 1), tol = tol)$root
    else 1
  }
  c(estimate = est, low = lower, high = upper)
}

small <- firms[c(seq(1, 600, by = 20), 2:11), ]       # 40 firms for exact tests
write_data(small, "stats_firms_small.csv")

for (pair in list(c("industry", "adoption"), c("size_band", "adoption"),
                  c("exporter", "uses_cloud"), c("region", "industry"))) {
  tab <- tab_of(firms, pair[1], pair[2])
  ct <- suppressWarnings(chisq.test(tab, correct = FALSE))
  g <- g_stat(tab)
  unw[[length(unw) + 1]] <- list(data = "firms", row = pair[1], col = pair[2],
    test = "pearson", statistic = unname(ct$statistic), df = unname(ct$parameter),
    p_value = unname(ct$p.value), cramers_v = cramer(tab))
  unw[[length(unw) + 1]] <- list(data = "firms", row = pair[1], col = pair[2],
    test = "g", statistic = g, df = unname(ct$parameter),
    p_value = pchisq(g, unname(ct$parameter), lower.tail = FALSE))
}
# a strong table: tiny p-values
tab <- tab_of(strong, "x", "y")
ct <- chisq.test(tab, correct = FALSE)
g <- g_stat(tab)
unw[[length(unw) + 1]] <- list(data = "strong", row = "x", col = "y", test = "pearson",
  statistic = unname(ct$statistic), df = unname(ct$parameter), p_value = unname(ct$p.value),
  cramers_v = cramer(tab))
unw[[length(unw) + 1]] <- list(data = "strong", row = "x", col = "y", test = "g",
  statistic = g, df = unname(ct$parameter), p_value = pchisq(g, 4, lower.tail = FALSE))

# Fisher's exact test
for (pair in list(c("exporter", "uses_cloud"), c("industry", "adoption"),
                  c("size_band", "adoption"), c("industry", "exporter"),
                  c("region", "uses_cloud"))) {
  tab <- tab_of(small, pair[1], pair[2])
  ft <- fisher.test(tab)
  rec <- list(data = "firms_small", row = pair[1], col = pair[2], test = "fisher",
              p_value = ft$p.value, shape = dim(tab))
  if (all(dim(tab) == 2)) {
    ref <- odds_ratio_ref(tab)
    # the tight-tolerance values agree with fisher.test's to its tolerance
    stopifnot(abs(ref[["estimate"]] / ft$estimate - 1) < 1e-3,
              abs(ref[["low"]] / ft$conf.int[1] - 1) < 1e-3,
              abs(ref[["high"]] / ft$conf.int[2] - 1) < 1e-3)
    rec$odds_ratio <- ref[["estimate"]]
    rec$conf_low <- ref[["low"]]
    rec$conf_high <- ref[["high"]]
    rec$odds_ratio_fisher_test <- unname(ft$estimate)
  }
  unw[[length(unw) + 1]] <- rec
}
tab <- tab_of(firms, "exporter", "uses_cloud")
ft <- fisher.test(tab)
ref <- odds_ratio_ref(tab)
unw[[length(unw) + 1]] <- list(data = "firms", row = "exporter", col = "uses_cloud",
  test = "fisher", p_value = ft$p.value, shape = dim(tab), odds_ratio = ref[["estimate"]],
  conf_low = ref[["low"]], conf_high = ref[["high"]],
  odds_ratio_fisher_test = unname(ft$estimate))

# linear-by-linear association and Cochran-Armitage
ord_firms <- firms
ord_firms$size_band <- factor(ord_firms$size_band, levels = size_levels)
ord_firms$adoption <- factor(ord_firms$adoption, levels = adoption_levels)
tab <- table(ord_firms$size_band, ord_firms$adoption)
for (sc in list(list(name = "default", rs = 1:4, cs = 1:4),
                list(name = "midpoints", rs = c(5, 30, 150, 500), cs = c(0, 1, 2, 4)))) {
  m <- lbl(tab, sc$rs, sc$cs)
  unw[[length(unw) + 1]] <- list(data = "firms", row = "size_band", col = "adoption",
    test = "linear_by_linear", scores = sc$name, row_scores = sc$rs, col_scores = sc$cs,
    statistic = unname(m["M2"]), df = 1,
    p_value = pchisq(unname(m["M2"]), 1, lower.tail = FALSE), r = unname(m["r"]))
}
ext <- table(ord_firms$size_band, ord_firms$adoption == "Extensive")
for (sc in list(list(name = "default", s = 1:4), list(name = "midpoints", s = c(5, 30, 150, 500)))) {
  pt <- prop.trend.test(ext[, "TRUE"], rowSums(ext), score = sc$s)
  unw[[length(unw) + 1]] <- list(data = "firms", row = "size_band", col = "adoption",
    test = "cochran_armitage", event = "Extensive", scores = sc$name, row_scores = sc$s,
    statistic = unname(pt$statistic), df = 1, p_value = pt$p.value)
}
write_json_file(list(r_version = R.version.string, results = unw), "stats_unweighted.json")

# weighted Cramer's V from the estimated cell proportions (the estimand, not the test)
wv <- list()
for (cs in cases) {
  des <- designs[[cs$design]]
  fml <- as.formula(sprintf("~`%s` + `%s`", cs$row, cs$col))
  tab <- svytable(fml, des)
  tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
  p <- tab / sum(tab)
  E <- outer(rowSums(p), colSums(p))
  phi2 <- sum((p - E)^2 / E)
  wv[[length(wv) + 1]] <- list(design = cs$design, row = cs$row, col = cs$col,
                               cramers_v = sqrt(phi2 / (min(dim(p)) - 1)))
}
write_json_file(list(results = wv), "stats_cramers_v.json")
cat("wrote", length(svy_results), "svychisq values and", length(unw), "unweighted values\n")
