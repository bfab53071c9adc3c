/** The time source every service and route reads; tests move it forward instead of sleeping. */
export interface Clock {
  now: () => Date;
}
