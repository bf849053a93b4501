package echo

import "bytes"

// scanLines finds the complete lines in p, the bytes just read, which continue an
// unfinished line of carried bytes from earlier reads. It returns end, the length of the
// prefix of p that completes lines (the carried bytes plus p[:end] are whole lines, ready
// to echo), lines, how many there are, and tooLong, whether a line — finished or not — is
// longer than maxLine bytes before its '\n'. When tooLong, p[:end] holds only the lines
// before the offending one.
func scanLines(carried int, p []byte, maxLine int) (end, lines int, tooLong bool) {
	lineLen := carried
	for {
		i := bytes.IndexByte(p[end:], '\n')
		if i < 0 {
			return end, lines, lineLen+len(p)-end > maxLine
		}
		if lineLen+i > maxLine {
			return end, lines, true
		}
		end += i + 1
		lines++
		lineLen = 0
	}
}
