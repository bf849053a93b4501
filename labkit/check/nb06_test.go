package check

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"
)

// The stub the notebook ships: one command at a time, errors dropped, ctx ignored.
func runCommandsStub(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	outputs := make([]string, len(cmds))
	for i, argv := range cmds {
		out, _ := exec.Command(argv[0], argv[1:]...).Output()
		outputs[i] = string(out)
	}
	return outputs, nil
}

// The reference solution (notebooks/solutions/06_goroutines_vs_processes/run_commands.gocell).
func runCommandsSolution(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	outputs := make([]string, len(cmds))
	for i, argv := range cmds {
		g.Go(func() error {
			out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
			if err != nil {
				return fmt.Errorf("%v: %w", argv, err)
			}
			outputs[i] = string(out)
			return nil
		})
	}
	return outputs, g.Wait()
}

// Wrong: no SetLimit, so every command starts at once.
func runCommandsUnbounded(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	outputs := make([]string, len(cmds))
	for i, argv := range cmds {
		g.Go(func() error {
			out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
			outputs[i] = string(out)
			return err
		})
	}
	return outputs, g.Wait()
}

// Wrong: outputs appended as the commands finish.
func runCommandsInCompletionOrder(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	var mu sync.Mutex
	var outputs []string
	for _, argv := range cmds {
		g.Go(func() error {
			out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
			mu.Lock()
			defer mu.Unlock()
			outputs = append(outputs, string(out))
			return err
		})
	}
	return outputs, g.Wait()
}

// Wrong: bounded and ordered, but every error dropped, so nothing is cancelled either.
func runCommandsIgnoringErrors(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	outputs := make([]string, len(cmds))
	for i, argv := range cmds {
		g.Go(func() error {
			out, _ := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
			outputs[i] = string(out)
			return nil
		})
	}
	return outputs, g.Wait()
}

// Wrong: the error loses its exit status.
func runCommandsVagueError(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	outputs, err := runCommandsSolution(ctx, limit, cmds)
	if err != nil {
		return outputs, errors.New("a command failed")
	}
	return outputs, nil
}

// Wrong: exec.Command, so neither a failure nor ctx stops the others.
func runCommandsWithoutContext(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	outputs := make([]string, len(cmds))
	for i, argv := range cmds {
		g.Go(func() error {
			out, err := exec.Command(argv[0], argv[1:]...).Output()
			outputs[i] = string(out)
			return err
		})
	}
	return outputs, g.Wait()
}

// Wrong: returns at the first failure or cancellation without killing its commands
// (exec.Command), which go on running in the background.
func runCommandsAbandoning(ctx context.Context, limit int, cmds [][]string) ([]string, error) {
	outputs := make([]string, len(cmds))
	failed := make(chan error, len(cmds))
	done := make(chan error, 1)
	go func() {
		var g errgroup.Group
		g.SetLimit(limit)
		for i, argv := range cmds {
			g.Go(func() error {
				out, err := exec.Command(argv[0], argv[1:]...).Output()
				if err != nil {
					failed <- err
				}
				outputs[i] = string(out)
				return err
			})
		}
		done <- g.Wait()
	}()
	select {
	case err := <-done:
		return outputs, err
	case err := <-failed:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestRunCommandsVerdicts(t *testing.T) {
	runVerdicts(t, checkRunCommands, []verdictCase[runCommandsFunc]{
		{"solution", runCommandsSolution, "", false},
		{"stub", runCommandsStub, "only 1 command(s) ran at once", false},
		{"nil", nil, "RunCommands is nil", false},
		{"unbounded", runCommandsUnbounded, "commands ran at once with limit = 2", false},
		{"completion order", runCommandsInCompletionOrder, "finished in another order", false},
		{"errors ignored", runCommandsIgnoringErrors, "did not return within", false},
		{"vague error", runCommandsVagueError, "wrap the command's error with %w", false},
		{"without context", runCommandsWithoutContext, "did not return within", false},
		// Its commands and their output goroutines outlive the check (the mistake), so goleak would rightly object here.
		{"abandons its commands", runCommandsAbandoning, "was still running after RunCommands returned", true},
	})
}
