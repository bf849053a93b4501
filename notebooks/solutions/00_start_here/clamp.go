// Clamp returns x limited to the range [lo, hi].
func Clamp(x, lo, hi int) int {
	return min(max(x, lo), hi)
}
