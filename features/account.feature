Feature: Looking after my account
  As a verified customer, I change my PIN or my address, and an SMS confirms each change.

  Background:
    Given I am a verified customer "Ama Mensah" with PIN "5071"

  Scenario: My account offers the PIN and the address
    When I dial the service
    And I choose "My account"
    Then I see these options in order:
      | 1. Change PIN     |
      | 2. Change address |

  Scenario: I change my PIN
    When I dial the service
    And I choose "My account"
    And I choose "Change PIN"
    Then I see "Enter your current PIN"
    When I enter "5071"
    Then I see "Enter your new 4-digit PIN"
    When I enter "3958"
    Then I see "Enter the new PIN again"
    When I enter "3958"
    Then the session ends with "Your PIN has been changed."
    And I receive an SMS containing "your PIN was changed"
    When I dial the service
    And I choose "Account balance"
    And I enter "3958"
    Then the session ends with "Wallet: GHS 0.00"

  Scenario: My old PIN no longer works after the change
    When I dial the service
    And I enter "6", "1", "5071", "3958", "3958"
    And I dial the service
    And I choose "Account balance"
    And I enter "5071"
    Then I see "Wrong PIN. Tries left: 2."

  Scenario: A wrong current PIN is refused
    When I dial the service
    And I choose "My account"
    And I choose "Change PIN"
    And I enter "9153"
    Then I see "Wrong PIN. Tries left: 2."
    And I see "Enter your current PIN"

  Scenario: The two new PINs differ and I am asked again
    When I dial the service
    And I choose "My account"
    And I choose "Change PIN"
    And I enter "5071", "3958", "3959"
    Then I see "The two PINs were not the same. Choose again."
    And I see "Enter your new 4-digit PIN"
    When I enter "3958", "3958"
    Then the session ends with "Your PIN has been changed."

  Scenario Outline: A new PIN that is easy to guess is refused
    When I dial the service
    And I choose "My account"
    And I choose "Change PIN"
    And I enter "5071", "<pin>"
    Then I see "<reason>"
    And I see "Enter your new 4-digit PIN"

    Examples:
      | pin   | reason                                         |
      | 1111  | That PIN is too easy to guess. Choose another. |
      | 1234  | That PIN is too easy to guess. Choose another. |
      | 4321  | That PIN is too easy to guess. Choose another. |
      | 0000  | That PIN is too easy to guess. Choose another. |
      | 12345 | The PIN must be 4 digits.                      |

  Scenario: I change my town and GPS address
    When I dial the service
    And I choose "My account"
    And I choose "Change address"
    Then I see "Enter your town or city"
    When I enter "tema"
    Then I see "Enter your GhanaPost GPS address, or 9 to skip"
    When I enter "gt 492 7731"
    Then the session ends with "Your address is now Tema, GT-492-7731."
    And I receive an SMS containing "your address is now Tema, GT-492-7731."

  Scenario: I change my town and skip the GPS address
    When I dial the service
    And I choose "My account"
    And I choose "Change address"
    And I enter "Kumasi", "9"
    Then the session ends with "Your address is now Kumasi, no GPS address."
    And I receive an SMS containing "your address is now Kumasi"

  Scenario: A town or address that is not valid is asked again
    When I dial the service
    And I choose "My account"
    And I choose "Change address"
    And I enter "Tema 2"
    Then I see "Use letters only."
    And I see "Enter your town or city"
    When I enter "Tema", "hello"
    Then I see "That is not a GPS address. Example: GA-183-8164"
    And I see "Enter your GhanaPost GPS address, or 9 to skip"
