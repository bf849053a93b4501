package echo

import "testing"

func TestScanLines(t *testing.T) {
	tests := []struct {
		carried int
		p       string
		max     int
		end     int
		lines   int
		tooLong bool
	}{
		{0, "", 4, 0, 0, false},
		{0, "ab", 4, 0, 0, false},
		{0, "abcd\n", 4, 5, 1, false},
		{0, "abcde\n", 4, 0, 0, true},
		{0, "abcde", 4, 0, 0, true}, // too long before its '\n' arrives
		{0, "a\nb\ncc", 4, 4, 2, false},
		{3, "d\nxy", 4, 2, 1, false}, // carried 3 + "d" = 4: at the limit
		{4, "e\n", 4, 0, 0, true},    // carried 4 + "e" = 5
		{0, "ok\ntoolong\nok\n", 4, 3, 1, true},
		{0, "\n\n\n", 0, 3, 3, false},
	}
	for _, tt := range tests {
		end, lines, tooLong := scanLines(tt.carried, []byte(tt.p), tt.max)
		if end != tt.end || lines != tt.lines || tooLong != tt.tooLong {
			t.Errorf("scanLines(%d, %q, %d) = %d, %d, %v; want %d, %d, %v",
				tt.carried, tt.p, tt.max, end, lines, tooLong, tt.end, tt.lines, tt.tooLong)
		}
	}
}
