# Helpers shared by the fixture scripts (source from the repository root):
#   num17       doubles written with 17 significant digits (round-trip exact), NA kept
#   write_data  a data frame as CSV with such doubles and factors as text

num17 <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))

write_data <- function(df, path) {
  for (nm in names(df)) {
    if (is.double(df[[nm]])) df[[nm]] <- num17(df[[nm]])
    if (is.factor(df[[nm]])) df[[nm]] <- as.character(df[[nm]])
  }
  write.csv(df, path, row.names = FALSE, na = "")
}
