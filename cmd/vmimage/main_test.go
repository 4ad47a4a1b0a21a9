package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary's main as a subprocess: with
// VMIMAGE_TEST_MAIN=1, the test binary is vmimage.
func TestMain(m *testing.M) {
	if os.Getenv("VMIMAGE_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// A command blocked on a read of stdin that never ends (a FIFO, a terminal) still
// ends promptly on SIGINT, with 130; on SIGTERM with 143.
func TestInterruptEndsABlockedRead(t *testing.T) {
	for sig, want := range map[os.Signal]int{os.Interrupt: 130, syscall.SIGTERM: 143} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "validate", "-")
		cmd.Env = append(os.Environ(), "VMIMAGE_TEST_MAIN=1")
		cmd.Stdin = r
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		time.Sleep(time.Second) // let it install its handler and start reading
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != want {
				t.Errorf("%v: exit %v, want %d", sig, err, want)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%v: still running 10 s after the signal", sig)
		}
		w.Close()
	}
}
