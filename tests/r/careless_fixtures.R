# Reference values for survey_kit.careless (longstring, irv, mahad, evenodd).
#
# The R package careless (Yentes & Wilhelm) defines these indices as thin
# wrappers; careless itself is not in the Debian archive, so this script
# applies the same definitions directly:
#   longstring: rle() of each row -> max (longstr) and mean (avgstr) run length
#   irv:        apply(x, 1, sd)  (careless default, NA when a row has an NA);
#               also with na.rm = TRUE
#   mahad:      psych::outlier(x, plot = FALSE, bad = 0), flagged above
#               qchisq(0.99, ncol(x))  (careless::mahad calls psych::outlier)
#   evenodd:    per scale, mean of even- and odd-numbered items; within-person
#               cor(use = "pairwise.complete.obs") across scales; Spearman-Brown
#               2r / (1 + r), values below -1 set to -1
# Run from the repository root:  Rscript tests/r/careless_fixtures.R
suppressPackageStartupMessages(library(psych))
set.seed(20240705)
n <- 160; k <- 12
lat <- rnorm(n)
x <- matrix(pmin(5, pmax(1, round(3 + lat + matrix(rnorm(n * k, sd = 0.9), n, k)))), n, k)
x[1:6, ] <- c(1, 2, 3, 4, 5, 3)                         # straight-liners (row i all c[i])
x[7:9, 1:7] <- 2                                        # long runs
x[10, ] <- rep(c(1, 5), 6)                              # alternating
complete <- x
miss <- matrix(runif(n * k) < 0.04, n, k)
miss[1:10, ] <- FALSE
x[miss] <- NA
colnames(x) <- colnames(complete) <- sprintf("i%02d", 1:k)

rle_idx <- function(v) { r <- rle(v); c(max(r$lengths), mean(r$lengths)) }
evenodd_ref <- function(x, factors) {
  out <- numeric(nrow(x)); pairs <- numeric(nrow(x))
  for (i in seq_len(nrow(x))) {
    f <- matrix(NA_real_, length(factors), 2); start <- 1
    for (j in seq_along(factors)) {
      s <- x[i, start:(start + factors[j] - 1)]
      idx <- seq_along(s)
      f[j, 1] <- mean(s[idx %% 2 == 0], na.rm = TRUE)
      f[j, 2] <- mean(s[idx %% 2 == 1], na.rm = TRUE)
      start <- start + factors[j]
    }
    pairs[i] <- sum(!is.na(f[, 1] + f[, 2]))
    r <- suppressWarnings(cor(f[, 1], f[, 2], use = "pairwise.complete.obs"))
    r <- 2 * r / (1 + r)
    if (!is.na(r) && r < -1) r <- -1
    out[i] <- r
  }
  data.frame(evenodd = out, eo_pairs = pairs)
}

values <- function(x) {
  ls <- t(apply(x, 1, rle_idx))
  d2 <- as.numeric(psych::outlier(x, plot = FALSE, bad = 0))
  eo <- evenodd_ref(x, c(4, 4, 4))
  data.frame(longstr = ls[, 1], avgstr = ls[, 2],
             irv = apply(x, 1, sd), irv_narm = apply(x, 1, sd, na.rm = TRUE),
             mahad = d2, mahad_flag = d2 > qchisq(0.99, ncol(x)),
             evenodd = eo$evenodd, eo_pairs = eo$eo_pairs)
}

write.csv(x, "tests/fixtures/r/careless_items.csv", row.names = FALSE, na = "")
write.csv(complete, "tests/fixtures/r/careless_items_complete.csv", row.names = FALSE)
write.csv(values(x), "tests/fixtures/r/careless_values.csv", row.names = FALSE, na = "")
write.csv(values(complete), "tests/fixtures/r/careless_values_complete.csv", row.names = FALSE,
          na = "")
cat("qchisq(0.99, 12) =", format(qchisq(0.99, 12), digits = 17), "\n")
