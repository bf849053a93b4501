// Package capstone is the directory of the machinery the later notebooks build on: frame
// and procpool (worker processes, notebook 06), cpubound (notebook 06's comparison, which
// needs procpool), fx (the quote/order simulator, notebook 09) and echo (the TCP echo
// server and its load client, notebook 10). It has no API of its own. Its packages may
// import the core and the measurement tools, never check.
package capstone
