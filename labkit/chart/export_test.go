package chart

// HTML is, for the tests, the fragment Show would display in a notebook.
func HTML(c Chart) (string, error) {
	page, _, err := render(c)
	return page, err
}
