Feature: Checking my account balance
  As a verified customer, after my PIN I see what is in my wallet, the cylinders I hold on
  deposit and how many of my orders are still open.

  Background:
    Given I am a verified customer "Ama Mensah" with PIN "4826"

  Scenario: A new customer has nothing yet
    When I dial the service
    And I choose "Account balance"
    Then I see "Enter your PIN to see your balance"
    When I enter "4826"
    Then the session ends with "Wallet: GHS 0.00"
    And I see "Cylinders on deposit: 0 (GHS 0.00)"
    And I see "Open orders: 0"

  Scenario: I see my wallet, my cylinders and my open orders
    Given my wallet holds GHS 500
    And I have ordered a "6kg steel" cylinder paid by "Wallet"
    And I have ordered a "3kg steel" cylinder paid on delivery
    When I dial the service
    And I choose "Account balance"
    And I enter "4826"
    Then the session ends with "Wallet: GHS 266.00"
    And I see "Cylinders on deposit: 1 (GHS 150.00)"
    And I see "Open orders: 2"

  Scenario: A delivered cylinder stays on deposit and its order is no longer open
    Given I hold a "12kg composite" cylinder
    When I dial the service
    And I choose "Account balance"
    And I enter "4826"
    Then the session ends with "Cylinders on deposit: 1 (GHS 450.00)"
    And I see "Open orders: 0"

  Scenario: A wrong PIN tells me how many tries are left
    When I dial the service
    And I choose "Account balance"
    And I enter "9153"
    Then I see "Wrong PIN. Tries left: 2."
    And I see "Enter your PIN to see your balance"
    When I enter "4826"
    Then the session ends with "Wallet: GHS 0.00"

  Scenario: A PIN must be 4 digits
    When I dial the service
    And I choose "Account balance"
    And I enter "50"
    Then I see "The PIN must be 4 digits."
    And I see "Enter your PIN to see your balance"
