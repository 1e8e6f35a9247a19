// Package ui is the workstation's window: Fyne views over the application
// core (package app). It is the only package that imports Fyne, and the only
// one that calls fyne.Do: work runs in goroutines owned by app, and each view
// applies what it hears from app in one fyne.Do.
package ui
